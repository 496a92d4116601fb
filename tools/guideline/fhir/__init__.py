"""The guideline as a computable FHIR R5 Bundle, in the shapes of EBM-on-FHIR.

``guideline export fhir`` and every edition build turn the build's needs.json,
references.bib and docs/guideline.toml into one ``Bundle`` (type ``collection``):

- :mod:`.inputs`     what is read (needs.json, references.bib, guideline.toml, panel, reading order);
- :mod:`.ids`        stable ``urn:uuid`` fullUrls (UUID v5 of need IDs and bib keys);
- :mod:`.text`       MyST need bodies as plain markdown, split into their parts;
- :mod:`.codes`      the CodeSystems (rating scheme, appraisal terms) and the quote extension;
- :mod:`.resources`  one builder per resource type;
- :mod:`.bundle`     assembly, sorted deterministic JSON;
- :mod:`.validate`   R5 model validation, code values, references inside the bundle, and
                     coverage (every recommendation, claim, source, cited reference exactly once);
- :mod:`.edition`    the hook the edition build calls to write the bundle beside needs.json;
- :mod:`.cli`        ``guideline export fhir``.

The documentation page is docs/toolchain/computable.md.
"""
