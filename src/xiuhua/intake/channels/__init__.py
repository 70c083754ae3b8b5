"""Channel adapters: each turns its own payload into one `xiuhua.intake.services.accept_report` call.

staff (inspectors on the street, operators taking calls), citizen (public, no account), hotline (12345/12319
work orders), alerts (sensors and video AI), leader (上级交办); Open311 is in `xiuhua.intake.open311`.
"""
