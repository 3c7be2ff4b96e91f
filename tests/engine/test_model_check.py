from wits_tui.engine.model_check import close_models, is_installed, missing_model

INSTALLED = ["llama3.2:1b", "qwen2.5:3b", "nomic-embed-text:latest", "gemma3:270m", "llava:7b"]


def test_installed_with_or_without_the_latest_tag():
    assert is_installed("llama3.2:1b", INSTALLED) and is_installed("nomic-embed-text", INSTALLED)
    assert not is_installed("llama3.2", INSTALLED) and not is_installed("nomic-embed-text:v1.5", INSTALLED)


def test_close_matches_put_other_tags_of_the_same_name_first():
    assert close_models("llama3.2", INSTALLED) == ["llama3.2:1b"]  # not llava:7b as well
    assert close_models("qwen2.5:7b", INSTALLED) == ["qwen2.5:3b"]
    assert close_models("gemma3:2b", INSTALLED) == ["gemma3:270m"]
    assert close_models("lama3.2:1b", INSTALLED)[0] == "llama3.2:1b"  # no name matches: by spelling
    assert close_models("qwen2.5", INSTALLED)[0] == "qwen2.5:3b"
    assert close_models("mistral", INSTALLED) == []


def test_the_sentence_names_the_fixes():
    text = missing_model("llama3.2", INSTALLED, choose="/model NAME", pull="/pull {model}")
    assert text is not None and "llama3.2:1b" in text and "/pull llama3.2," in text and "/model NAME" in text
    assert missing_model("llama3.2:1b", INSTALLED, choose="", pull="") is None
    assert "no model is installed yet" in missing_model("x", [], choose="/model NAME", pull="/pull {model}")
