from __future__ import annotations

from fastapi.testclient import TestClient

from duespark.app import create_app
from tests.conftest import make_test_settings


def test_health_and_openapi(client):
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/api/openapi.json").json()
    assert "/api/invoices" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"
    assert client.delete("/api/invoices").status_code == 405


def test_malformed_json_is_422_not_500(client):
    response = client.post("/api/auth/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"


def test_serves_the_web_app_with_spa_fallback(tmp_path, database_url):
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<html>DueSpark app</html>")
    (web / "assets" / "app.js").write_text("console.log(1)")
    (web / "favicon.svg").write_text("<svg/>")
    settings = make_test_settings(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", web_dist_dir=web)
    with TestClient(create_app(settings)) as http:
        assert "DueSpark app" in http.get("/").text
        assert "DueSpark app" in http.get("/invoices/42").text
        assert http.get("/assets/app.js").text == "console.log(1)"
        assert http.get("/favicon.svg").text == "<svg/>"
        assert http.get("/api/unknown").status_code == 404
        assert http.get("/../../etc/passwd").status_code in (200, 404)
        assert "root:" not in http.get("/..%2F..%2Fetc%2Fpasswd").text
