"""Badge images: baking credentials into PNG/SVG (OB 3.0 §5.3), default artwork, upload checks, QR codes."""
