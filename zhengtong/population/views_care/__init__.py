"""Pages of the care work, one module per ledger: check-up campaigns (`campaigns`), home visits
with their photos and referrals (`visits`), 计生助福 (`assistance`), 1+1 pairings (`pairings`).

Every list is a page of the kit (`lib.listing.ListPage`); every row is found through the
village scope (`rows_visible_to`); a row outside it is a 404 that looks like any missing page,
and the attempt is audited (`common.get_row`). The forms (forms_care.py) parse input only; the
rules live in actions/care.py.
"""
