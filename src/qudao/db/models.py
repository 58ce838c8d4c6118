"""Imports every domain's tables, so that the metadata is complete for migrations."""

from __future__ import annotations

from qudao.accounts import models as accounts_models
from qudao.agreements import models as agreements_models
from qudao.audit import models as audit_models
from qudao.commissions import models as commissions_models
from qudao.db.base import Base
from qudao.deals import models as deals_models
from qudao.documents import models as documents_models
from qudao.engagement import models as engagement_models
from qudao.goals import models as goals_models
from qudao.jobs import models as jobs_models
from qudao.partners import models as partners_models
from qudao.programs import models as programs_models
from qudao.recommendations import models as recommendations_models
from qudao.referrals import models as referrals_models
from qudao.retail import models as retail_models
from qudao.screening import models as screening_models

metadata = Base.metadata
DOMAINS = (accounts_models, agreements_models, audit_models, commissions_models, deals_models,
           documents_models, engagement_models, goals_models, jobs_models, partners_models,
           programs_models, recommendations_models, referrals_models, retail_models,
           screening_models)
