from ninja import Router

router = Router(tags=["市场主体"])
