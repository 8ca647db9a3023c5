"""Template tags of the GC page furniture, used by base.html (and the error summary's tests).

- `{% capture as name %}...{% endcapture %}`: renders its content (blocks included: a child template's
  block inside it is still the child's) into a variable. base.html renders the page's title and content
  first, so the <title> can say "Error:" when the content holds a form with errors, and the central
  breadcrumbs step aside for a page that draws its own.
- `{% page_form_errors as errors %}`: the errors of every bound form of the page's context, for the error
  summary, each with the id of the field it links to.
- `{% breadcrumb_trail as crumbs %}`, `{% release_date as date %}`, `{% gc_title title errors %}`.
"""

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from site_pages import breadcrumbs, release

register = template.Library()


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


def _forms_in(value):
    if isinstance(value, forms.BaseForm | BaseFormSet):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, forms.BaseForm | BaseFormSet):
                yield item
    else:
        try:
            from django_filters import FilterSet
        except ImportError:  # pragma: no cover
            return
        if isinstance(value, FilterSet):
            yield value.form


def _target(bound_field) -> str:
    """The id the summary's link goes to: the field's input (the first option of a group of radios or
    checkboxes); "" for a hidden field."""
    if bound_field.is_hidden:
        return ""
    target = bound_field.id_for_label
    if not target and bound_field.auto_id:
        target = f"{bound_field.auto_id}_0"
    return target or ""


def _first_visible(form) -> str:
    for bound_field in form.visible_fields():
        if target := _target(bound_field):
            return target
    return ""


def _validated(form_or_formset) -> bool:
    """Bound and already validated (by the view, or by the template that drew its errors): the summary never
    validates a form itself, which could cost queries (a model choice) and would show errors no one drew."""
    return form_or_formset.is_bound and getattr(form_or_formset, "_errors", None) is not None


def _form_errors(form) -> list[dict]:
    items = []
    if not _validated(form):
        return items
    for name, errors in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            items += [{"text": str(e), "target": _first_visible(form)} for e in errors]
            continue
        bound_field = form[name]
        label = str(bound_field.label or "").strip().rstrip(":")
        for error in errors:
            text = _("%(label)s: %(error)s") % {"label": label, "error": error} if label else str(error)
            items.append({"text": text, "target": _target(bound_field)})
    return items


@register.simple_tag(takes_context=True)
def page_form_errors(context) -> list[dict]:
    """Every error of the bound forms (and formsets, and filter forms) in the page's context, in order:
    [{"text": ..., "target": field id or ""}]."""
    seen, items = set(), []
    for value in context.flatten().values():
        for form in _forms_in(value):
            if id(form) in seen:
                continue
            seen.add(id(form))
            if isinstance(form, BaseFormSet):
                if not _validated(form):
                    continue
                items += [{"text": str(e), "target": ""} for e in form.non_form_errors()]
                for sub in form.forms:
                    items += _form_errors(sub)
            else:
                items += _form_errors(form)
    return items


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context) -> list:
    request = context.get("request")
    return breadcrumbs.trail(request) if request is not None else []


@register.simple_tag
def release_date():
    return release.release_date()


@register.simple_tag
def gc_title(title, errors=None):
    """The GC title pattern: "Page title - Deployment roster - RCMP", "Error: " first when the page's form
    has errors. The home page's default title is the app's name alone."""
    app, org = _("Deployment roster"), _("RCMP")
    title = mark_safe(" ".join(conditional_escape(title or "").split()))
    if not title or title == conditional_escape(app):
        full = format_html("{} - {}", app, org)
    else:
        full = format_html("{} - {} - {}", title, app, org)
    if errors:
        full = mark_safe(conditional_escape(_("Error: %(title)s")) % {"title": full})
    return full
