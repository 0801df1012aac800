"""The data model: one aggregate a module. Nothing here knows about requests."""

from blogapp.models.api_token import ApiToken, Scope
from blogapp.models.audit import AuditEvent
from blogapp.models.comment import Comment, CommentStatus
from blogapp.models.feedback import AnswerFeedback
from blogapp.models.flag import Flag, FlagReason
from blogapp.models.follow import Follow
from blogapp.models.imported import ImportJob, ImportSource, LegacyPath
from blogapp.models.inbound import ReplyDraft, SpentReplyToken
from blogapp.models.mail import MailMessage, MailOptOut, MailStatus
from blogapp.models.post import Post, PostStatus, Tag, post_tags
from blogapp.models.private import (
    PrivateConversation,
    PrivateMessage,
    PrivateStatus,
    PrivateVia,
)
from blogapp.models.redirect import SlugRedirect
from blogapp.models.replying import ReplyPresence, SavedReply
from blogapp.models.response import (
    AckKind,
    Acknowledgement,
    Assignment,
    CloseReason,
    owed_clause,
)
from blogapp.models.review import ProposalKind, ProposedReply, ReviewState
from blogapp.models.revision import Revision, RevisionKind
from blogapp.models.search import OutboxKind, SearchDocument, SearchOutbox, SearchWord
from blogapp.models.setting import SiteSetting, SiteSettingsVersion
from blogapp.models.upload import Upload
from blogapp.models.user import ACCOUNT_ROLES, EMPLOYEE_ROLES, Guest, LoginSession, Role, User
from blogapp.models.webhook import (
    WebhookEndpoint,
    WebhookEvent,
    WebhookFormat,
    WebhookMessage,
    WebhookStatus,
)

__all__ = [
    "ACCOUNT_ROLES",
    "EMPLOYEE_ROLES",
    "AckKind",
    "Acknowledgement",
    "AnswerFeedback",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "CloseReason",
    "Comment",
    "CommentStatus",
    "Flag",
    "FlagReason",
    "Follow",
    "Guest",
    "ImportJob",
    "ImportSource",
    "LegacyPath",
    "LoginSession",
    "MailMessage",
    "MailOptOut",
    "MailStatus",
    "OutboxKind",
    "Post",
    "ProposalKind",
    "ProposedReply",
    "PostStatus",
    "ReplyDraft",
    "PrivateConversation",
    "PrivateMessage",
    "PrivateStatus",
    "PrivateVia",
    "ReviewState",
    "ReplyPresence",
    "Revision",
    "RevisionKind",
    "Role",
    "SavedReply",
    "Scope",
    "SearchDocument",
    "SearchOutbox",
    "SearchWord",
    "SiteSetting",
    "SiteSettingsVersion",
    "SlugRedirect",
    "SpentReplyToken",
    "Tag",
    "Upload",
    "User",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookMessage",
    "WebhookStatus",
    "WebhookFormat",
    "owed_clause",
    "post_tags",
]
