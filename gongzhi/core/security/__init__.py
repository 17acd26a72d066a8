"""Login security: password rules, lock-out, idle timeout and the TOTP second factor.

docs/security.md describes the policy; the writes (enrolment, password changes, account changes)
live in gongzhi.core.actions like every other write.
"""
