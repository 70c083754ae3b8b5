"""Notices and messages: the in-app inbox (Notice) and the outbox of SMS, WeCom and e-mail (Message)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiuhua.core.fields import EncryptedTextField


class NoticeKind(models.TextChoices):
    TASK = "task", _("New task")
    WARNING = "warning", _("Time limit warning")
    OVERDUE = "overdue", _("Overdue")
    URGE = "urge", _("Supervision order")
    DECISION = "decision", _("Request decided")
    INFO = "info", _("Information")


# Kinds that ask the recipient to do something about a case: a task given to them (dispatched, returned for
# rework, a request to approve, a check to make, a callback to make), a supervision order, a time-limit warning
# or overdue notice. Only these are counted on the bell. Decisions on one's own requests and information
# (a case declined, a suspended case resumed) are listed but not counted: nothing waits on the reader.
ACTIONABLE_KINDS = frozenset({NoticeKind.TASK, NoticeKind.WARNING, NoticeKind.OVERDUE, NoticeKind.URGE})


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # What the notice is about, as a reference the web and API can link to (e.g. a case number).
    subject = models.CharField(_("about"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.title


class MessageChannel(models.TextChoices):
    """The ways a message leaves xiuhua. The inbox is written in the action's own transaction (a Notice row);
    the others are Message rows in the outbox, sent by the message worker after commit."""

    INBOX = "inbox", _("In-app inbox")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom (政务微信)")
    EMAIL = "email", _("E-mail")


class MessageKind(models.TextChoices):
    """Why a message is sent: each kind has its own channels (settings), template and user choice."""

    TASK = "task", _("New task")
    APPROVAL = "approval", _("Approval waiting")
    URGE = "urge", _("Supervision order")
    WARNING = "warning", _("Time limit warning")
    OVERDUE = "overdue", _("Overdue")
    REFUSED = "refused", _("Request refused")
    DECISION = "decision", _("Request decided")
    INFO = "info", _("Information")
    CITIZEN_RECEIPT = "citizen_receipt", _("Report received (citizen)")
    CITIZEN_CLOSURE = "citizen_closure", _("Report closed (citizen)")
    SHOP_REMINDER = "shop_reminder", _("Shop reminder")
    VITAL_SIGN = "vital_sign", _("Vital-sign warning")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", pgettext_lazy("message status", "Failed")


class MessageTemplate(models.Model):
    """The text of one kind of message on one channel, editable in the admin. Chinese SMS platforms send only
    templates they approved: `provider_template_id` is that approval's id, sent with the variables."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Django template syntax over the message's variables: "案卷{{ case }}已派遣至您单位，请于{{ deadline }}前处置"
    body = models.TextField(_("text"))
    provider_template_id = models.CharField(_("provider template id"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="message_template_kind_channel")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


class NotificationPreference(models.Model):
    """A user's choice of outside channels for one kind of message (通知设置). No row means every channel the
    kind's route allows. The row keeps the channels switched *off*, so a channel the centre adds to a route later
    reaches everyone who has not said no to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    muted_channels = models.JSONField(_("channels switched off"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_user_kind")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class MessageBatch(models.Model):
    """One batch send (e.g. a reminder to every shop of a street): a job with progress, resumable after a
    restart; its messages point back at it."""

    class State(models.TextChoices):
        # Recipients read and previewed, not yet confirmed: nothing is queued.
        DRAFT = "draft", _("Draft")
        PREPARING = "preparing", _("Preparing")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREPARING)
    total = models.PositiveIntegerField(_("recipients"), default=0)
    # Django template text over each recipient's variables ({{ name }}), rendered once per recipient.
    text = models.TextField(_("text"), blank=True)
    # The recipients as JSON ([{"name", "address", "user"}]): names and phones are personal data, so encrypted.
    recipients = EncryptedTextField(_("recipients list"), blank=True)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    # The sender's confirmation: the cause of every message of the batch (push rate).
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # How many recipients (in list order) are queued: a resumed batch continues from here.
    prepared = models.PositiveIntegerField(_("recipients queued"), default=0)
    # When the preparing process last wrote a chunk; a batch quiet for longer was left by a stopped process.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message batch")
        verbose_name_plural = _("message batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    """One outgoing message in the outbox (SMS, WeCom, e-mail). Written in the transaction of the action that
    causes it; sent by the message worker after commit; each step of its life has its time."""

    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Phone, e-mail address or WeCom user id at the time of queuing; personal data, so encrypted at rest.
    address = EncryptedTextField(_("address"), max_length=254, blank=True)
    # Keyed digest of channel and address: per-recipient ceilings and searches without decrypting.
    address_digest = models.CharField(_("address digest"), max_length=64, blank=True, db_index=True)
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("template"), on_delete=models.SET_NULL, null=True, blank=True
    )
    variables = models.JSONField(_("variables"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    # What the message is about: e.g. subject_type "case", subject "20261207-0001".
    subject_type = models.CharField(_("about (type)"), max_length=20, blank=True)
    subject = models.CharField(_("about"), max_length=40, blank=True, db_index=True)
    caused_at = models.DateTimeField(_("caused at"))
    urgent = models.BooleanField(_("urgent"), default=False)
    batch = models.ForeignKey(
        MessageBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # A person's resend of a failed message: the new row points at the failed one (figures count the cause once).
    resend_of = models.ForeignKey(
        "self", verbose_name=_("resend of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    # A retried action (same key) queues nothing twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True, unique=True)

    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Not sent before this time: quiet hours hold a message until morning; a retry waits its backoff.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # When the worker began handing this message to the provider (null while it only waits in a claimed batch):
    # a row left `sending` without it was never handed over and can be queued again safely.
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "status", "not_before"], name="message_due"),
            models.Index(fields=["channel", "provider_id"], name="message_provider_id"),
            models.Index(fields=["kind", "caused_at"], name="message_kind_caused"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.pk}"


class ChannelHealth(models.Model):
    """The last word of the message worker about one outside channel: can it reach the provider? The outbox
    page shows an outage from here (messages keep queuing meanwhile)."""

    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices, primary_key=True)
    reachable = models.BooleanField(_("reachable"), default=True)
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    since = models.DateTimeField(_("since"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel health")
        verbose_name_plural = _("channel health")

    def __str__(self) -> str:
        return self.get_channel_display()


class ProviderToken(models.Model):
    """A provider's short-lived access token (the WeCom access_token), shared by every worker process: the
    provider limits how often a token may be fetched, and a per-process cache would fetch one per process."""

    key = models.CharField(_("key"), max_length=100, primary_key=True)
    value = EncryptedTextField(_("token"), max_length=512)  # a live credential: encrypted at rest like addresses
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("provider token")
        verbose_name_plural = _("provider tokens")

    def __str__(self) -> str:
        return self.key


class MessagePart(models.Model):
    """One part of a message the provider took in several pieces (a long SMS sent as concatenated parts), each
    with its own provider id and receipt. The message is delivered when every part is, failed when one fails."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="parts")
    provider_id = models.CharField(_("provider message id"), max_length=100)
    delivered = models.BooleanField(_("delivered"), null=True)  # None until its receipt arrives

    class Meta:
        verbose_name = _("message part")
        verbose_name_plural = _("message parts")
        indexes = [models.Index(fields=["provider_id"], name="message_part_provider_id")]

    def __str__(self) -> str:
        return self.provider_id
