from tests.engine.conftest import server  # noqa: F401 - the scripted server fixture
