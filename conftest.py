"""Shared pytest fixtures: a small deterministic demo city built by the real generator."""

import pytest


@pytest.fixture
def demo_city(db):
    """A small Haiyan demo district (≈120 grids, 600 components) with departments and users."""
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.services import forget_grid_index

    forget_grid_index()
    city = build_demo_city(grids=120, components=600, seed=7)
    yield city
    forget_grid_index()


@pytest.fixture
def api_token(demo_city, client):
    """A bearer token for the demo `admin` account."""
    from django.conf import settings

    response = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]
