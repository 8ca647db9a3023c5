"""The form of a deployment role. It parses input; roster.roles.services decides."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DeploymentRole


class DeploymentRoleForm(forms.ModelForm):
    class Meta:
        model = DeploymentRole
        fields = ["name_en", "name_fr", "position"]
        labels = {"name_en": _("Name in English"), "name_fr": _("Name in French")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service says when a name is missing, next to the field, with the other errors.
        self.fields["name_en"].required = self.fields["name_fr"].required = False
        self.fields["name_en"].widget.attrs["lang"] = "en"
        self.fields["name_fr"].widget.attrs["lang"] = "fr"
        self.fields["position"].widget.attrs.update({"min": 0, "max": 32767})
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name_en", css_class="col-md-5"), Column("name_fr", css_class="col-md-5"),
                Column("position", css_class="col-md-2")),
        )
        self.helper.add_input(Submit("submit", _("Save the role")))

    def _post_clean(self):
        """Constraints (a name unique in its language) are the service's, next to the field."""
        self.instance.name_en = self.cleaned_data.get("name_en") or ""
        self.instance.name_fr = self.cleaned_data.get("name_fr") or ""
        if "position" in self.cleaned_data and self.cleaned_data["position"] is not None:
            self.instance.position = self.cleaned_data["position"]
