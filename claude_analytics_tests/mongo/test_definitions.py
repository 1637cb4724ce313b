"""The code location with MONGO_URI set: the URI is bound as an EnvVar, never as its value."""

from __future__ import annotations

import dagster as dg

from claude_analytics.defs.extract.assets import MONGODB_CONVERSATIONS

SECRET_URI = "mongodb://alice:do-not-show@db.internal:27017/"


def test_mongodb_definitions_bind_the_uri_by_name(monkeypatch) -> None:
    monkeypatch.setenv("MONGO_URI", SECRET_URI)
    from claude_analytics.definitions import defs

    definitions = defs()
    mongo = definitions.resources["mongo"]
    assert isinstance(mongo.uri, dg.EnvVar) and mongo.uri.env_var_name == "MONGO_URI"
    assert "do-not-show" not in repr(definitions.resources["source"])
    sensor = definitions.resolve_sensor_def("mongodb_new_documents")
    assert sensor.job_name == "full_pipeline"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = definitions.resolve_asset_graph()
    assert graph.get(MONGODB_CONVERSATIONS).is_external
    with definitions.resources["source"].process_config_and_initialize_cm() as source:
        assert source.open().describe() == (
            "MongoDB claude_logs.conversations at mongodb://db.internal:27017"
        )
