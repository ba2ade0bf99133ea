from __future__ import annotations

import json
import subprocess
import sys

from duespark import openapi


def test_document_is_stable_and_names_the_real_path_params():
    text = openapi.render()
    assert text == openapi.render(), "two renders differ: the committed copy could never be checked"
    document = json.loads(text)
    item_paths = {"/api/clients/{client_id}", "/api/invoices/{invoice_id}", "/api/tokens/{token_id}"}
    assert item_paths <= set(document["paths"])
    assert text.endswith("}\n")


def test_module_prints_the_document(tmp_path):
    # `python -m duespark.openapi` is what `make openapi` and web/scripts/check-api.mjs run.
    result = subprocess.run(
        [sys.executable, "-m", "duespark.openapi"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert result.stdout == openapi.render()
