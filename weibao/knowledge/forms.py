from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.knowledge.models import Article


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文（Markdown）"), required=False, widget=forms.Textarea(attrs={"rows": 16})
    )
    tags = forms.CharField(
        label=_("标签"), required=False, max_length=500, help_text=_("用逗号分隔，例如：U盾, 登录")
    )
    visibility = forms.ChoiceField(label=_("可见范围"), choices=Article.Visibility.choices)
    shared = forms.BooleanField(label=_("共享给本合同在“知识共享”中指定的合同"), required=False)


class SynonymForm(forms.Form):
    terms = forms.CharField(
        label=_("同义词"),
        max_length=500,
        help_text=_("一组意思相同的词，用逗号或斜杠分隔，例如：社保卡 / 社会保障卡"),
    )
