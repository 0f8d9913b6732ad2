"""The exception tree. Library code raises these; the CLI and the web service translate them.

SourcetraceError
 ├── InputError          a file or record cannot be read (bad encoding, too large, malformed)
 ├── ConfigError         a settings file or option has a bad value
 ├── ModelError          the sentence encoder is missing or its weights fail the checksum
 ├── OutputError         a report file cannot be written (missing folder, no permission)
 └── StoreError          a store file cannot be opened or used (not a store, newer schema, busy)
      ├── DamagedStoreError   SQLite's integrity check failed: the file is damaged
      └── OtherStoreError     the store was built with other encoder files, candidate settings or scoring
"""


class SourcetraceError(Exception):
    """Base class of every error sourcetrace raises on purpose."""


class InputError(SourcetraceError):
    """An input file or record cannot be read. The message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # the service passes it back from its check processes
        return type(self), (self.path, self.reason)


class ConfigError(SourcetraceError):
    """A setting has a bad value. The message names the setting and what it accepts."""


class ModelError(SourcetraceError):
    """The sentence encoder cannot be loaded. The message says how to build or point to it."""


class StoreError(SourcetraceError):
    """A store cannot be opened or used. The message names the file and what to do."""


class OutputError(SourcetraceError):
    """A report file cannot be written. The message names the file and the reason."""


class DamagedStoreError(StoreError):
    """A store file is damaged. The message says how to recover what it holds."""


class OtherStoreError(StoreError):
    """The store was built with other encoder files, candidate settings or scoring than the ones in use: a conflict
    with what is asked, not a passing failure. The message names what differs and what to do."""
