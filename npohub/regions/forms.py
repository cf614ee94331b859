"""HTML input for the regions pages, and the cascading region select other forms use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import is_valid, pad, prefix_of
from .models import Level, Region, UrbanRural
from .selectors import region_children, region_path


class UrbanRuralCorrectionForm(forms.Form):
    urban_rural = forms.ChoiceField(
        label=_("城乡属性"),
        choices=[
            (UrbanRural.URBAN, UrbanRural.URBAN.label),
            (UrbanRural.RURAL, UrbanRural.RURAL.label),
        ],
    )


class PickerQuery(forms.Form):
    """The picker's GET parameters: ``target`` is the name of the hidden input to fill."""

    target = forms.RegexField(regex=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$", required=False)
    root = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    parent = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    current = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    select = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$", required=False)
    q = forms.CharField(max_length=50, required=False, strip=True)


# --- the cascading region select (one select per level, children loaded by htmx) ------------

# "All units one level down" for each level of the children a select lists.
_ALL_AT_LEVEL = {
    Level.PROVINCE: _("全部省份"),
    Level.CITY: _("全部市"),
    Level.COUNTY: _("全部区县"),
    Level.TOWNSHIP: _("全部街道（乡镇）"),
    Level.VILLAGE: _("全部社区（村）"),
}


@dataclass(frozen=True)
class CascadeLevel:
    """One select of the cascade: the units it lists, the chosen one ("" = all of them)."""

    regions: list[Region]
    selected: str
    blank_label: str


def deepest_region(values: list[str]) -> str:
    """The value a cascade submits: the deepest chosen unit that lies under the ones chosen
    above it (a lower select left over from an earlier choice is ignored). A value that is not
    a region code is returned as it is, for the field to refuse."""
    chosen = ""
    for value in (v.strip() for v in values):
        if not value:
            continue
        if not is_valid(value):
            return value
        code = pad(value)
        if not chosen or (code != chosen and code.startswith(prefix_of(chosen))):
            chosen = code
    return chosen


def _children_select(parent: Region | None, selected: str = "") -> CascadeLevel | None:
    """A select of the units directly under ``parent`` (the provinces under none)."""
    if parent is not None and parent.level >= Level.VILLAGE:
        return None
    regions = list(region_children(parent.code if parent else None))
    if not regions:
        return None
    return CascadeLevel(regions, selected, str(_ALL_AT_LEVEL[Level(regions[0].level)]))


def cascade_levels(root: Region | None, selected: str) -> list[CascadeLevel]:
    """The selects from below ``root`` down to the ``selected`` unit (inside the root), each
    with its unit chosen, then one listing the selected unit's children, all chosen."""
    levels: list[CascadeLevel] = []
    parent = root
    if selected:
        below = [r for r in region_path(selected) if root is None or r.level > root.level]
        for region in below:
            level = _children_select(parent, region.code)
            if level is None:
                break
            levels.append(level)
            parent = region
    last = _children_select(parent)
    if last is not None:
        levels.append(last)
    return levels


class RegionCascadeWidget(forms.Widget):
    """A region filter as one select per level, from the ``root`` unit (the user's scope,
    shown by name and never left) down; choosing a unit loads the select of its children
    (``regions:cascade``, htmx). Every select is named after the field; the form receives the
    deepest consistent choice (``deepest_region``)."""

    template_name = "regions/widgets/region_cascade.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.root: Region | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist else data.get(name)
        values = raw if isinstance(raw, list | tuple) else [raw or ""]
        return deepest_region([str(v) for v in values])

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = value if isinstance(value, str) and is_valid(value) else ""
        code = pad(code) if code else ""
        root = self.root
        if root is not None and code and not code.startswith(root.prefix):
            code = ""
        context["widget"].update({"root": root, "levels": cascade_levels(root, code)})
        return context


class RegionCascadeField(forms.CharField):
    """The region filter: a unit inside ``root`` (the user's scope), as a 12-digit code."""

    widget = RegionCascadeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self._root: Region | None = None

    @property
    def root(self) -> Region | None:
        return self._root

    @root.setter
    def root(self, region: Region | None) -> None:
        self._root = region
        cast(RegionCascadeWidget, self.widget).root = region

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if not text:
            return ""
        if not is_valid(text):
            raise forms.ValidationError(_("区划代码无效"), code="invalid")
        code = pad(text)
        if self._root is not None and not code.startswith(self._root.prefix):
            raise forms.ValidationError(_("所选区划不在您的范围内"), code="out_of_scope")
        return code
