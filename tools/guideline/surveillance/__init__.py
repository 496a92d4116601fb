"""Living surveillance: saved searches, the surveillance log, triage and impact.

- :mod:`.config` reads the saved searches (``docs/surveillance.toml``);
- :mod:`.registries` asks PubMed, ClinicalTrials.gov and Crossref through the
  project's polite online client;
- :mod:`.watch` runs the searches and turns answers into hits;
- :mod:`.log` reads and appends the tracked surveillance log;
- :mod:`.triage` records the panel's decisions;
- :mod:`.impact` carries a change to every recommendation resting on it;
- :mod:`.triggers` links editions to the items that triggered them;
- :mod:`.cli` is ``guideline watch``.
"""
