"""Imports every domain's tables, so that the metadata is complete for migrations."""

from __future__ import annotations

from qudao.accounts import models as accounts_models
from qudao.audit import models as audit_models
from qudao.db.base import Base
from qudao.partners import models as partners_models
from qudao.recommendations import models as recommendations_models
from qudao.screening import models as screening_models

metadata = Base.metadata
DOMAINS = (accounts_models, audit_models, partners_models, recommendations_models,
           screening_models)
