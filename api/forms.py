"""Input goes through the pages' own forms, so the API applies the same rules and answers the same
messages, in the request's language: `valid_form(FormClass, request, ...)` binds the form to the
request's data (JSON, or multipart for documents) and returns it valid, or raises a 400 with its
errors field by field. JSON values are first put the way a browser would send them (strings, lists
for the fields that take several), so no value of any type reaches a form field unparsed."""

from collections.abc import Mapping
from datetime import date

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from .exceptions import NON_FIELD, field_errors

NOT_AN_OBJECT = _("Send a JSON object of fields and values.")
NOT_A_VALUE = _("Enter a valid value.")
MULTI_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


BOOLEAN_FIELDS = (forms.BooleanField, forms.NullBooleanField)


def _scalar(value, field=None):
    """A JSON value as a browser would send it: a string (true/false kept for a checkbox's field)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value if field is None or isinstance(field, BOOLEAN_FIELDS) else str(value).lower()
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, date):  # a stored value merged into a partial update
        return value.isoformat()
    raise TypeError


def as_form_data(data, fields: dict) -> MultiValueDict:
    """The JSON object `data` as a form's data; a list sent for a field that takes one value, or any
    nested object, is refused with the forms' own "Enter a valid value."."""
    if isinstance(data, QueryDict):
        return data
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError({NON_FIELD: [NOT_AN_OBJECT]})
    out, errors = MultiValueDict(), {}
    for name, value in data.items():
        field = fields.get(name)
        if isinstance(field, forms.FileField):
            continue  # files come in multipart only
        try:
            if isinstance(value, list):
                if field is not None and not isinstance(field, MULTI_FIELDS):
                    raise TypeError
                out.setlist(name, [_scalar(v, field) for v in value])
            else:
                out.setlist(name, [_scalar(value, field)])
        except TypeError:
            errors[name] = [NOT_A_VALUE]
    if errors:
        raise exceptions.ValidationError(errors)
    return out


def valid_form(form_class, request, *, data=None, aliases: dict | None = None, **kwargs):
    """`form_class(data, files, **kwargs)` bound to the request (or to `data`), valid, or a 400."""
    fields = form_class(**kwargs).fields
    form = form_class(as_form_data(request.data if data is None else data, fields), request.FILES or None, **kwargs)
    if not form.is_valid():
        raise exceptions.ValidationError(field_errors({k: list(v) for k, v in form.errors.items()}, aliases))
    return form


# --- the schema of a form's input -------------------------------------------------------------------

def _text(value):
    """A label or help text for the schema, only when it is translated lazily (so the French schema
    is French): texts a form made at instantiation are in the language of that moment."""
    from django.utils.functional import Promise

    return value if isinstance(value, Promise) else None


def _choices(field):
    return [(value, label) for value, label in field.choices if value not in ("", None)]


def _drf_field(field: forms.Field) -> serializers.Field:
    """The DRF field documenting a Django form field (the form, not this field, validates)."""
    common = {"required": field.required, "help_text": _text(field.help_text) or _text(field.label)}
    if isinstance(field, forms.FileField):
        return serializers.ListField(child=serializers.FileField(), required=False, help_text=common["help_text"])
    if isinstance(field, MULTI_FIELDS):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, allow_null=not field.required, **common)
    if isinstance(field, forms.NullBooleanField):
        return serializers.BooleanField(allow_null=True, **{**common, "required": False})
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(field), allow_blank=not field.required,
                                       allow_null=not field.required, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(min_value=field.min_value, max_value=field.max_value,
                                        allow_null=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(max_length=field.max_length, allow_blank=not field.required, **common)
    return serializers.CharField(max_length=field.max_length, allow_blank=not field.required, **common)


def form_serializer(name: str, form_factory, *, extra: dict | None = None, exclude=(), required=()):
    """A serializer class named `name` documenting the fields of `form_factory()` (plus `extra`
    fields, less `exclude`; `required` forces some to be required), for the schema."""
    form = form_factory()
    declared = {n: _drf_field(f) for n, f in form.fields.items() if n not in exclude}
    for n in required:
        declared[n].required = True
    declared.update(extra or {})
    return type(name, (serializers.Serializer,), {**declared, "__module__": __name__})


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A record's id among `queryset` (a visibility selector): anything else, an id no row can have
    included, is the form's "Select a valid choice." (never an overflow)."""

    def to_python(self, value):
        from agencies.validators import bounded_id

        if value in self.empty_values:
            return None
        if bounded_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def chosen(request, name: str, queryset):
    """The record whose id the request sends as `name`, among `queryset`; else a 400 on that field."""
    form_class = type("Choice", (forms.Form,), {name: BoundedModelChoiceField(queryset=queryset)})
    return valid_form(form_class, request).cleaned_data[name]
