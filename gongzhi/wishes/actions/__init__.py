"""The write layer of the micro-wishes: every change to a wish goes through one of these."""

from gongzhi.wishes.actions.claims import do_claim_wish, do_fulfil_wish, do_release_claim
from gongzhi.wishes.actions.closing import do_cancel_wish, do_confirm_wish
from gongzhi.wishes.actions.common import SYSTEM, Actor
from gongzhi.wishes.actions.escalation import SweepResult, do_escalate_stale_wishes
from gongzhi.wishes.actions.invites import Invitation, InvitationBatch, do_invite_to_claim, do_send_invitations
from gongzhi.wishes.actions.posting import Posted, WishDraft, do_post_wish

__all__ = [
    "SYSTEM",
    "Actor",
    "Invitation",
    "InvitationBatch",
    "Posted",
    "SweepResult",
    "WishDraft",
    "do_cancel_wish",
    "do_claim_wish",
    "do_confirm_wish",
    "do_escalate_stale_wishes",
    "do_fulfil_wish",
    "do_invite_to_claim",
    "do_post_wish",
    "do_release_claim",
    "do_send_invitations",
]
