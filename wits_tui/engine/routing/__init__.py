"""Routing: modules (named specialists), the domain classifier, the module switch
optimizer, user profiles and module training. `router.Router` ties them together."""
