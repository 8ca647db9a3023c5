"""Choice labels looked up once, not rebuilt on every call.

Django's `get_<field>_display()` builds a dict of the field's choices on every call; a page or an
export that shows thousands of statuses spends most of its time there. Models that show choice labels
in lists inherit `ChoiceLabels` first: the value -> label map is made once per field and kept (its
labels are lazy, so each call still answers in the active language). Fields whose choices are a
callable (evaluated each time by Django) are left to Django.
"""

from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_ATTR = "_choice_labels"


def choice_labels(field) -> dict:
    """The field's value -> label map, made on first use and kept on the field."""
    labels = field.__dict__.get(_ATTR)
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        if not isinstance(field.choices, CallableChoiceIterator):
            field.__dict__[_ATTR] = labels
    return labels


class ChoiceLabels:
    """Mix into a model (before models.Model) so its get_FOO_display() uses `choice_labels`."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)
