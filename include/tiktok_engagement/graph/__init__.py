"""The creator graph: whom the roster follows (``user/followings``), and when each creator's list is
fetched (:mod:`.sampling`)."""
