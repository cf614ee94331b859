"""The OpenAPI document names each schema once: ninja files every model under its class name in
``components/schemas``, so two different models of the same name (the hubs' and the party's
``CoverageOut``, five ``TransitionIn``) left one of them described with the other's fields, and
clients (and schemathesis) checked answers against the wrong shape."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections import defaultdict

import pydantic

import npohub.api
from npohub.api.urls import api


def _api_models() -> dict[str, set[str]]:
    """Each model class name defined in the API's modules → the JSON schemas of those classes."""
    shapes: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.walk_packages(npohub.api.__path__, "npohub.api."):
        if ".tests" in info.name:
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, pydantic.BaseModel)
                and obj.__module__ == module.__name__
            ):
                shape = json.dumps(obj.model_json_schema(), sort_keys=True, default=str)
                shapes[obj.__name__].add(shape)
    return shapes


def test_no_two_different_api_models_share_a_name_in_the_openapi_document():
    clashes = {name: len(found) for name, found in _api_models().items() if len(found) > 1}
    assert clashes == {}, f"同名而结构不同的 API 模型（OpenAPI 中会互相覆盖）：{clashes}"


def test_every_error_response_of_the_document_is_the_one_envelope():
    document = api.get_openapi_schema()
    envelope = document["components"]["schemas"]["ErrorOut"]
    assert set(envelope["required"]) == {"code", "message"}
    assert set(envelope["properties"]) == {"code", "message", "details"}


def _operation(document, path, method):
    return document["paths"][f"/api/v1{path}"][method]


def test_the_framework_answers_every_operation_can_give_are_in_the_document():
    document = api.get_openapi_schema()
    public_list = _operation(document, "/public/hubs/hubs", "get")
    assert {"200", "400", "422"} <= {str(s) for s in public_list["responses"]}
    assert "401" not in {str(s) for s in public_list["responses"]}  # anyone may call it
    write = _operation(document, "/organizations/{org_id}", "patch")
    assert {"400", "401", "403", "413", "422"} <= {str(s) for s in write["responses"]}
    for status in ("400", "401", "403", "413", "422"):
        answer = write["responses"].get(status) or write["responses"][int(status)]
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
