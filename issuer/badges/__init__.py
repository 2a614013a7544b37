"""The Open Badges 3.0 credential itself: contexts, model and building (pure: no I/O, no clock).

* Open Badges 3.0: https://www.imsglobal.org/spec/ob/v3p0/
* W3C Verifiable Credentials Data Model 2.0: https://www.w3.org/TR/vc-data-model-2.0/

:mod:`.contexts` (the bundled JSON-LD contexts), :mod:`.credential` (building achievements and
``AchievementCredential`` documents), :mod:`.timestamps` (UTC ``Z`` date-times).
"""
