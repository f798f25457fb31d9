"""agentotel's own attribute, metric and event names: what the GenAI conventions do not cover.

Everything here is under the ``agentotel.`` prefix so it can never collide with a future spec name.
docs/telemetry.md documents each one.
"""

# --- conversation scope (baggage keys are the attribute names) -------------------------------
TENANT_ID = "agentotel.tenant.id"
CONVERSATION_OUTCOME = "agentotel.conversation.outcome"
CONVERSATION_INTENT = "agentotel.conversation.intent"
ESCALATION_REASON = "agentotel.escalation.reason"

OUTCOME_RESOLVED = "resolved"
OUTCOME_ESCALATED = "escalated"
OUTCOME_ABANDONED = "abandoned"
OUTCOMES = (OUTCOME_RESOLVED, OUTCOME_ESCALATED, OUTCOME_ABANDONED)

# --- cost -------------------------------------------------------------------------------------
COST_TOTAL = "agentotel.cost.total"
COST_CURRENCY = "agentotel.cost.currency"
COST_INPUT = "agentotel.cost.input"
COST_OUTPUT = "agentotel.cost.output"
COST_CACHE_READ = "agentotel.cost.cache_read"
COST_CACHE_WRITE = "agentotel.cost.cache_write"
COST_CATALOG_VERSION = "agentotel.cost.catalog_version"
COST_UNPRICED = "agentotel.cost.unpriced"
COST_PRICED_MODEL = "agentotel.cost.priced_model"

# Roll-up totals on agent, workflow and root spans.
ROLLUP_INPUT_TOKENS = "agentotel.usage.input_tokens"
ROLLUP_OUTPUT_TOKENS = "agentotel.usage.output_tokens"
ROLLUP_LLM_CALLS = "agentotel.usage.llm_calls"

# --- LLM request details the conventions have no name for ----------------------------------------
TOOL_DEFINITION_COUNT = "agentotel.request.tool_definition_count"

# --- retrieval ------------------------------------------------------------------------------
RETRIEVAL_OUTCOME = "agentotel.retrieval.outcome"
RETRIEVAL_DOCUMENT_COUNT = "agentotel.retrieval.document_count"
RETRIEVAL_TOP_SCORE = "agentotel.retrieval.top_score"
RETRIEVAL_DOCUMENT_IDS = "agentotel.retrieval.document.ids"
RETRIEVAL_DOCUMENT_SCORES = "agentotel.retrieval.document.scores"
RETRIEVAL_HIT = "hit"
RETRIEVAL_MISS = "miss"
RETRIEVAL_UNKNOWN = "unknown"  # what the retrieval returned was not understood

# --- agent framework steps the conventions have no operation for: events on the agent's span ----
EVENT_HANDOFF = "agentotel.agent.handoff"
HANDOFF_FROM_AGENT = "agentotel.handoff.from_agent"
HANDOFF_TO_AGENT = "agentotel.handoff.to_agent"
EVENT_GUARDRAIL = "agentotel.guardrail"
GUARDRAIL_NAME = "agentotel.guardrail.name"
GUARDRAIL_TRIGGERED = "agentotel.guardrail.triggered"

# --- budgets and self-telemetry -----------------------------------------------------------------
BUDGET_PERIOD = "agentotel.budget.period"
SIGNAL = "agentotel.signal"
DROP_REASON = "agentotel.drop.reason"
COMPONENT = "agentotel.component"

# --- metrics: (name, unit, description) ------------------------------------------------------
METRIC_LLM_COST = ("agentotel.llm.cost", "{USD}", "Cost of LLM calls, priced by the bundled catalog")
METRIC_UNPRICED_CALLS = ("agentotel.llm.unpriced_calls", "{call}", "LLM calls whose model the pricing catalog does not know")
METRIC_CONVERSATIONS = ("agentotel.conversations", "{conversation}", "Conversations ended, by outcome and intent")
METRIC_ESCALATIONS = ("agentotel.conversation.escalations", "{conversation}", "Conversations handed to a human, by reason")
METRIC_ACTIVE_CONVERSATIONS = ("agentotel.conversation.active", "{conversation}", "Conversations in progress")
METRIC_CONVERSATION_DURATION = ("agentotel.conversation.duration", "s", "Time from a conversation's start to its outcome")
METRIC_FIRST_RESPONSE = ("agentotel.conversation.first_response.duration", "s", "Time from a conversation's start to the agent's first response")
METRIC_CONVERSATION_COST = ("agentotel.conversation.cost", "{USD}", "Cost of one conversation's LLM calls")
METRIC_CONVERSATION_TOKENS = ("agentotel.conversation.tokens", "{token}", "Tokens of one conversation's LLM calls")
METRIC_FEEDBACK_SCORE = ("agentotel.feedback.score", "{score}", "User feedback (CSAT) scores")
METRIC_RETRIEVAL_SEARCHES = ("agentotel.retrieval.searches", "{search}", "Knowledge-base searches, by hit or miss")
METRIC_RETRIEVAL_SIMILARITY = ("agentotel.retrieval.similarity", "1", "Best similarity score of a knowledge-base search")
METRIC_BUDGET_LIMIT = ("agentotel.budget.limit", "{USD}", "Configured spend budget per tenant and period")
METRIC_BUDGET_TOKEN_LIMIT = ("agentotel.budget.token_limit", "{token}", "Configured token budget per tenant and period")
METRIC_TELEMETRY_DROPPED = ("agentotel.telemetry.dropped", "{item}", "Telemetry items the app dropped, by signal and reason")
METRIC_INTERNAL_ERRORS = ("agentotel.internal.errors", "{error}", "Errors inside agentotel, contained and not raised to the app")

CONVERSATION_DURATION_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)
FIRST_RESPONSE_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60)
COST_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
CONVERSATION_TOKEN_BUCKETS = (100, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000)
SCORE_BUCKETS = (1, 2, 3, 4, 5)
SIMILARITY_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
