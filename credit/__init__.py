"""Credit: unified social credit codes (统一社会信用代码), and later the credit blacklists,
penalty memoranda (联合惩戒备忘录) and candidate checks (信用核查)."""
