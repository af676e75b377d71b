"""Routes of the moderation package (under /<lang>/)."""
from flask import Blueprint

from ..i18n import pull_lang, push_lang

bp = Blueprint("moderation", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)
