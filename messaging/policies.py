"""Who may do what in the team messaging. Permissions come from the role (accounts.roles); a private
conversation belongs to its two people, whatever anyone's role (no permission opens it to a third)."""


def can_open(user, conversation):
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if conversation.is_public:
        return user.has_perm("messaging.read_public_channel")
    return conversation.has_member(user)


def can_send(user, conversation):
    return can_open(user, conversation) and user.has_perm("messaging.send_message")


def can_send_audio(user, conversation):
    return can_open(user, conversation) and user.has_perm("messaging.send_audio")


def can_start_private(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("messaging.send_message"))


def can_delete(user, message, conversation=None):
    """The author deletes his own; a holder of `delete_any_message` (supervisors, admins) anyone's, in a
    conversation he can open (never a private one of others: he cannot see it)."""
    if message.is_deleted or not can_open(user, conversation or message.conversation):
        return False
    return message.sender_id == user.pk or user.has_perm("messaging.delete_any_message")
