"""The write layer of the supply–demand lists and ordered services: `do_<verb>_<noun>(*, actor, …)`.

lists.py: resources and needs; projects.py: projects and their claims (项目认领); orders.py: ordered
services (社区点单—联盟下单—单位接单). Each function is one transaction, locks what it changes, writes an
audit row (and the order's timeline), and refuses before writing anything.
"""
