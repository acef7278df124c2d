def test_window_opens_on_a_store(window, store_path):
    assert window.windowTitle().startswith("eventdesk")
    assert store_path in window.windowTitle()
