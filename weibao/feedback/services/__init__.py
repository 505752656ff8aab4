"""What the 好差评 app does, one module per idea: ratings (rate a finished ticket),
rectifications (整改 and the call-back) and figures (satisfaction figures for the reports)."""
