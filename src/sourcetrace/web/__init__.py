"""The web service (``app``) and the HTML views it shares with the self-contained report (``render``).

Needs the ``web`` extra: ``pip install "sourcetrace[web]"``.
"""
