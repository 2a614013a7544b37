"""The files a learner downloads: badge images, baked PNG/SVG, QR codes. Plain Python."""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from . import baking, images, qr, raster
from ..errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ..store.models import BadgeImage, Course, Credential, IssuerProfile

__all__ = ["badge_svg", "badge_png", "baked_png", "baked_svg", "verify_qr", "store_course_image",
           "store_issuer_logo", "IMAGE_TYPES", "MAX_IMAGE_BYTES"]

IMAGE_TYPES = ("image/png", "image/svg+xml")
MAX_IMAGE_BYTES = 512 * 1024


def _issuer_name(course: Course) -> str:
    return course.provider.name


def badge_svg(course: Course) -> bytes:
    """The course's badge as SVG bytes: its uploaded (sanitized) SVG, else the default artwork."""
    if course.image is not None and course.image.media_type == "image/svg+xml":
        return course.image.data
    return images.default_badge_svg(course.title, _issuer_name(course)).encode("utf-8")


def badge_png(course: Course) -> bytes:
    """The course's badge as PNG bytes: its uploaded PNG, else the default artwork rasterized."""
    if course.image is not None and course.image.media_type == "image/png":
        return course.image.data
    return raster.default_badge_png(course.title, _issuer_name(course))


def baked_png(credential: Credential, *, jwt: bool = False) -> bytes:
    """OB 3.0 section 5.3.1: the badge PNG with an ``openbadgecredential`` iTXt chunk."""
    return baking.bake_png(badge_png(credential.course), credential.jwt if jwt else credential.document)


def baked_svg(credential: Credential, *, jwt: bool = False) -> bytes:
    """OB 3.0 section 5.3.2: the badge SVG with an ``openbadges:credential`` element."""
    return baking.bake_svg(badge_svg(credential.course), credential.jwt if jwt else credential.document)


def verify_qr(url: str, fmt: str) -> bytes:
    """A QR code for ``url`` as PNG (``fmt == "png"``) or SVG bytes."""
    return qr.qr_png(url) if fmt == "png" else qr.qr_svg(url)


def _stored_image(session: Session, provider_id: int, data: bytes, media_type: str, what: str, *,
                   bakeable: bool) -> BadgeImage:
    """A stored ``BadgeImage`` of an upload (``what`` names it in problems): PNG header and size
    checked, SVG sanitized; ``bakeable`` also bakes a probe into it. Raises ``UnsupportedMediaType``
    (415), ``PayloadTooLarge`` (413, over :data:`MAX_IMAGE_BYTES`) or ``ValidationFailed`` (422)."""
    if media_type not in IMAGE_TYPES:
        raise UnsupportedMediaType(f"upload the {what} as image/png or image/svg+xml")
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"{what}s are limited to {MAX_IMAGE_BYTES} bytes")
    try:
        if media_type == "image/png":
            images.check_png(data, max_bytes=MAX_IMAGE_BYTES, max_pixels=2048 * 2048)
        else:
            data = images.sanitize_svg(data, max_bytes=MAX_IMAGE_BYTES)
        if bakeable:
            baking.bake(data, '{"probe": true}')  # every download will bake it: make sure it can
    except (images.ImageError, baking.BakingError) as exc:
        raise ValidationFailed(f"the image was refused: {exc}") from None
    image = BadgeImage(provider_id=provider_id, media_type=media_type, data=data,
                       sha256=hashlib.sha256(data).hexdigest())
    session.add(image)
    session.flush()
    return image


def store_course_image(session: Session, course: Course, data: bytes, media_type: str) -> BadgeImage:
    """Validate (PNG: header only; SVG: sanitized; either must take a baked credential, OB 3.0
    §5.3) and attach an uploaded badge image. Errors as :func:`_stored_image`."""
    image = _stored_image(session, course.provider_id, data, media_type, "badge image", bakeable=True)
    course.image_id = image.id
    return image


def store_issuer_logo(session: Session, issuer: IssuerProfile, data: bytes, media_type: str) -> BadgeImage:
    """Validate (PNG header and size; SVG sanitized, as badge images) and attach an issuer's logo,
    shown as the OB 3.0 Profile ``image`` of the credentials issued from then on."""
    image = _stored_image(session, issuer.provider_id, data, media_type, "logo", bakeable=False)
    issuer.logo_id = image.id
    return image
