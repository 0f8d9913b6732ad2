import pytest

from sourcetrace.errors import ConfigError
from sourcetrace.settings import Settings


def test_packaged_defaults_match_the_dataclass_defaults():
    # the TOML file and the dataclasses must not drift apart
    assert Settings.load(model_dir="/m") == Settings(model_dir=Settings.load(model_dir="/m").model_dir)


def test_user_file_then_overrides(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[align]\nlink_probability = 0.6\n[ingest]\nmax_file_bytes = 10\n")
    s = Settings.load(f, align__link_probability=0.9)
    assert s.align.link_probability == 0.9
    assert s.ingest.max_file_bytes == 10


@pytest.mark.parametrize(
    "content, message",
    [
        ("[align]\nlink_probability = 'high'\n", "link_probability"),
        ("[nope]\nx = 1\n", "nope"),
        ("[align\n", "cannot read"),
    ],
)
def test_bad_settings_name_the_problem(tmp_path, content, message):
    f = tmp_path / "s.toml"
    f.write_text(content)
    with pytest.raises(ConfigError, match=message):
        Settings.load(f)
