"""agentotel's own attribute, metric and event names: what the GenAI conventions do not cover.

Everything here is under the ``agentotel.`` prefix so it can never collide with a future spec name.
docs/telemetry.md documents each one.
"""

# --- conversation scope (baggage keys are the attribute names) -------------------------------
TENANT_ID = "agentotel.tenant.id"
CONVERSATION_OUTCOME = "agentotel.conversation.outcome"
CONVERSATION_INTENT = "agentotel.conversation.intent"
ESCALATION_REASON = "agentotel.escalation.reason"
# Where the conversation happens. Metric labels keep the values of CHANNELS; any other value is
# recorded as ``other`` (spans keep it as given).
CONVERSATION_CHANNEL = "agentotel.conversation.channel"
CHANNELS = ("web", "chat", "email", "voice", "sms", "social", "api")
OTHER = "other"
UNKNOWN = "unknown"

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

# --- evaluations (gen_ai.evaluation.result) --------------------------------------------------------
# Built-in evaluation names: what the score means, its range and its labels. An app may record any
# other name; these are the ones the quality dashboard and alerts read.
EVALUATION_INTENT_ACCURACY = "intent_accuracy"  # label correct / incorrect; score 1 / 0
EVALUATION_HALLUCINATION = "hallucination"  # label hallucinated / grounded; score 1 / 0
EVALUATION_SENTIMENT = "sentiment_accuracy"  # label correct / incorrect (sentiment misread); score 1 / 0
EVALUATION_CONFIDENCE = "confidence"  # score 0-1: the agent's own confidence in its answer
EVALUATION_ANSWER_RELEVANCY = "answer_relevancy"  # score 0-1 (RAG)
EVALUATION_FAITHFULNESS = "faithfulness"  # score 0-1 (RAG)
EVALUATION_CONTEXT_RECALL = "context_recall"  # score 0-1 (RAG)
EVALUATION_CSAT = "csat"  # score 1-5: user feedback; label positive / neutral / negative
EVALUATION_INTENT_CONFIRMATION = "intent_confirmation"  # label confirmed / rejected: the user said so
# name -> (lowest score, highest score, labels it uses). Labels are free for other names.
EVALUATIONS = {
    EVALUATION_INTENT_ACCURACY: (0.0, 1.0, ("correct", "incorrect")),
    EVALUATION_HALLUCINATION: (0.0, 1.0, ("hallucinated", "grounded")),
    EVALUATION_SENTIMENT: (0.0, 1.0, ("correct", "incorrect")),
    EVALUATION_CONFIDENCE: (0.0, 1.0, ()),
    EVALUATION_ANSWER_RELEVANCY: (0.0, 1.0, ()),
    EVALUATION_FAITHFULNESS: (0.0, 1.0, ()),
    EVALUATION_CONTEXT_RECALL: (0.0, 1.0, ()),
    EVALUATION_CSAT: (1.0, 5.0, ("positive", "neutral", "negative")),
    EVALUATION_INTENT_CONFIRMATION: (0.0, 1.0, ("confirmed", "rejected")),
}
# The label of a built-in evaluation recorded with a score only: score >= 0.5 -> first label.
# Also the label metric value when an evaluation has none.
EVALUATION_NO_LABEL = "none"

# --- business events ------------------------------------------------------------------------------
BUSINESS_EVENT_NAME = "agentotel.business.event.name"
# The attribute keys a business event may carry (as ``agentotel.business.<key>``): metric labels,
# so a closed set. Other keys are dropped (and said so once).
BUSINESS_ATTRIBUTE_PREFIX = "agentotel.business."
BUSINESS_KEYS = ("campaign", "channel", "source", "content_type", "conversion_type", "segment", "currency")
# Built-in names the business dashboard and alerts read.
BUSINESS_LEAD = "lead_generated"
BUSINESS_CAMPAIGN_CREATED = "campaign_created"
BUSINESS_CAMPAIGN_PERFORMANCE = "campaign_performance"  # value: a 0-1 score of a campaign
BUSINESS_CONTENT = "content_produced"
BUSINESS_CONVERSION = "conversion"
BUSINESS_REVENUE = "revenue"  # value: an amount, in the `currency` attribute's currency

# --- health checks ------------------------------------------------------------------------------
HEALTH_CHECK_NAME = "agentotel.health.check.name"
HEALTH_CHECK_REQUIRED = "agentotel.health.check.required"
HEALTH_CHECK_STATE = "agentotel.health.check.state"  # pass, fail, timeout
HEALTH_STATUS = "agentotel.health.status"  # ok, degraded, fail

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
METRIC_EVALUATIONS = ("agentotel.evaluations", "{evaluation}", "Evaluation results, by evaluation name and label")
METRIC_EVALUATION_SCORE = ("agentotel.evaluation.score", "1", "Scores of evaluation results, by evaluation name")
METRIC_BUSINESS_EVENTS = ("agentotel.business.events", "{event}", "Business events the app recorded, by name")
METRIC_BUSINESS_VALUE = ("agentotel.business.value", "1", "Sum of the values of business events, by name")
METRIC_HEALTH_CHECK_STATUS = ("agentotel.health.check.status", "{status}", "1 when a health check passed at its last run, 0 when it failed or timed out")
METRIC_HEALTH_CHECK_DURATION = ("agentotel.health.check.duration", "s", "Duration of health check runs")
METRIC_HEARTBEAT = ("agentotel.process.heartbeat", "s", "Unix time of the app's last metric collection: stops advancing when the app is down")
METRIC_INTERNAL_ERRORS = ("agentotel.internal.errors", "{error}", "Errors inside agentotel, contained and not raised to the app")

CONVERSATION_DURATION_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)
FIRST_RESPONSE_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60)
COST_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
CONVERSATION_TOKEN_BUCKETS = (100, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000)
SCORE_BUCKETS = (1, 2, 3, 4, 5)
EVALUATION_SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2, 3, 4, 5)
HEALTH_CHECK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
SIMILARITY_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
