"""The OpenAPI document, built from the app without a database or real secrets.

`python -m duespark.openapi > backend/openapi.json` writes the copy the web app's typed client is
generated from (`make openapi`); `make check-openapi` fails when that copy is stale.
"""

from __future__ import annotations

import json
from typing import Any

from duespark.app import create_app
from duespark.settings import Settings


def document() -> dict[str, Any]:
    settings = Settings(env="test", secret_keys=["x" * 40], database_url="sqlite://")
    return create_app(settings).openapi()


def render() -> str:
    return json.dumps(document(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
