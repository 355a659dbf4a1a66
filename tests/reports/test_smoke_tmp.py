import pytest

@pytest.mark.django_db
def test_smoke(world, client_for):
    c = client_for("analyst")
    r = c.get("/reports/")
    assert r.status_code == 200, r.content[:3000]
    open("/tmp/reports-dash.html", "w").write(r.content.decode())
    r = c.get(f"/reports/exchanges/{world['stages'][0].pk}/")
    assert r.status_code == 200
    open("/tmp/reports-ex.html", "w").write(r.content.decode())
    r = c.get(f"/reports/agreements/{world['agreement'].pk}/")
    assert r.status_code == 200
