from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "kechuang.policies"
    label = "policies"
    default_auto_field = "django.db.models.BigAutoField"


# Navigation labels this app adds to core.context_processors.NAV_ITEMS; listed here so that the
# app's own catalogue carries their translations.
NAV_LABELS = (_("Policies"), _("Proactive delivery"), _("What-if"))
