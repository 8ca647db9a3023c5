"""Choice labels are looked up once per field (config.choices), and still follow the language."""

from unittest import mock

from django.apps import apps
from django.db import models
from django.utils import translation

from config.choices import ChoiceLabels, choice_labels
from roster.models import ApplicationStatus, Deployment


def test_the_label_map_is_made_once_per_field():
    field = Deployment._meta.get_field("status")
    Deployment(status=Deployment.Status.PLANNED).get_status_display()  # made here at the latest
    with mock.patch.object(type(field), "flatchoices", new_callable=mock.PropertyMock) as flatchoices:
        flatchoices.side_effect = AssertionError("choices rebuilt")
        for status in Deployment.Status.values:
            assert Deployment(status=status).get_status_display() == Deployment.Status(status).label
    flatchoices.assert_not_called()


def test_labels_follow_the_active_language():
    deployment = Deployment(status=Deployment.Status.COMPLETED)
    with translation.override("en"):
        english = deployment.get_status_display()
    with translation.override("fr"):
        french = deployment.get_status_display()
    assert english == "Completed"
    assert french != english and french


def test_an_unknown_value_shows_as_itself():
    assert Deployment(status="nonsense").get_status_display() == "nonsense"


OUR_APPS = {"agencies", "missions", "roster", "notifications", "privacy", "welfare"}


def test_every_model_of_ours_with_choices_keeps_its_labels():
    missing = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and any(f.choices for f in model._meta.concrete_fields)
        and model._get_FIELD_display is not ChoiceLabels._get_FIELD_display
    ]
    assert missing == []


def test_callable_choices_are_not_kept():
    calls = []

    def choices():
        calls.append(1)
        return [("a", "A")]

    field = models.CharField(choices=choices)
    field.name = field.attname = "x"
    choice_labels(field)
    choice_labels(field)
    assert len(calls) == 2
    assert ApplicationStatus.SUBMITTED.label
