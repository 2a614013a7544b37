"""Delivery: the issued credential as files people and wallets take away.

* Open Badges 3.0 §5.3 baking (https://www.imsglobal.org/spec/ob/v3p0/#baking): PNG ``iTXt``
  ``openbadgecredential`` chunks and SVG ``<openbadges:credential>`` elements (:mod:`.baking`);
* default badge artwork, upload checks and SVG sanitizing (:mod:`.images`), rasterizing
  (:mod:`.raster`), QR codes to the verification page (:mod:`.qr`);
* :mod:`.artifacts` puts them together for a stored credential or course;
* the printable PDF certificate (:mod:`.pdf`) and the European Learning Model (Europass) copy
  (:mod:`.elm`), both made from one :class:`~.record.CredentialRecord` (:mod:`.record`).
"""
