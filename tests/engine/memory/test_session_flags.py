from wits_tui.engine.memory.session_flags import recall_enabled, set_recall_enabled


def test_recall_can_be_switched_off_per_session(store):
    a, b = store.sessions.create(), store.sessions.create()
    assert recall_enabled(store, a.id) and recall_enabled(store, b.id)
    set_recall_enabled(store, a.id, False)
    assert not recall_enabled(store, a.id) and recall_enabled(store, b.id)
    set_recall_enabled(store, a.id, True)
    assert recall_enabled(store, a.id)
