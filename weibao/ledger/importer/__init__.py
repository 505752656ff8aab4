"""Import from contract text (issue 16 item 2): a contract's text in, a draft out, with the
sentence behind every field. Plain functions; nothing is stored until a person confirms
(``apply.create_contract_from_draft``)."""
