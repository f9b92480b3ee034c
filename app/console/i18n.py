"""The console's words in Chinese (first) and English (pure): one table, one lookup.

Templates say `t("key")`; a key missing from the table is a test failure (tests/app/console),
not a blank on a page. The language is the `lang` query parameter when given (remembered in a
cookie), else the cookie, else Chinese.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh", "en")
LANG_COOKIE = "ggzy_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    "platform": ("公共资源交易平台", "Public Resource Trading Platform"),
    "home": ("首页", "Home"),
    "hall": ("监督大厅", "Supervision hall"),
    "console": ("工作台", "Console"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "language": ("English", "中文"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "published_tenders": ("招标公告", "Published tenders"),
    "opening_records": ("开标记录", "Opening records"),
    "market_figures": ("中介超市成交数据", "Intermediary supermarket figures"),
    "audit_head": ("审计日志最新签名树头", "Latest signed head of the audit log"),
    "tree_size": ("日志条目数", "Entries"),
    "root_hash": ("根哈希", "Root hash"),
    "signed_at": ("签名时间", "Signed at"),
    "no_head_yet": ("尚无签名树头", "No signed head yet"),
    "project": ("项目名称", "Project"),
    "project_code": ("项目编号", "Project code"),
    "status": ("状态", "Status"),
    "budget": ("预算（元）", "Budget (CNY)"),
    "bid_deadline": ("投标截止时间", "Bid deadline"),
    "opening_time": ("开标时间", "Opening time"),
    "none": ("暂无", "None"),
    "requests": ("项目数", "Requests"),
    "awarded": ("已成交", "Awarded"),
    "total_ceiling": ("控制价合计（元）", "Total ceiling (CNY)"),
    "total_award": ("成交价合计（元）", "Total award (CNY)"),
    "savings": ("节约资金（元）", "Savings (CNY)"),
    "savings_rate": ("节约率", "Savings rate"),
    "intermediaries": ("入驻中介机构", "Intermediaries registered"),
    "chart_savings_by_month": ("中介超市节约率（按月）", "Supermarket savings rate by month"),
    "chart_savings_by_category": ("中介超市节约率（按类别）", "Supermarket savings rate by category"),
    "chart_filings_on_time": ("备案按时办结率（按月）", "Filings decided on time, by month"),
    "chart_openings_per_day": ("每日开标数", "Openings per day"),
    "no_data": ("暂无数据", "No data yet"),
    "openings_today": ("今日及近期开标", "Openings today and upcoming"),
    "auctions_today": ("今日及近期竞价", "Auctions today and upcoming"),
    "filing_queue": ("备案待办", "Filing queue"),
    "working_days_left": ("剩余工作日", "Working days left"),
    "due_at": ("办结时限", "Due"),
    "overdue": ("已超期", "Overdue"),
    "sla": ("限时办结统计（本月）", "Time-limit figures (this month)"),
    "received": ("收件", "Received"),
    "decided": ("办结", "Decided"),
    "on_time_rate": ("按时办结率", "On-time rate"),
    "watch": ("进入", "Watch"),
    "opening_room": ("开标室", "Opening room"),
    "bidders": ("投标人", "Bidders"),
    "custodians": ("密钥保管人", "Key custodians"),
    "shares_in": ("已提交份额", "Shares handed in"),
    "threshold": ("所需份额", "Shares needed"),
    "key_rebuilt": ("开标密钥已恢复", "Opening key rebuilt"),
    "decryption": ("解密进度", "Decryption"),
    "price": ("投标报价（元）", "Price (CNY)"),
    "result": ("结果", "Result"),
    "record": ("开标记录", "Opening record"),
    "confirmations": ("投标人确认", "Bidders' confirmations"),
    "live": ("实时", "Live"),
    "reconnecting": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "connected": ("已连接", "Connected"),
    "events": ("过程记录", "Events"),
    "filings": ("招标备案", "Tender filings"),
    "new_filing": ("新建备案", "New filing"),
    "edit_filing": ("编辑备案", "Edit filing"),
    "save": ("保存", "Save"),
    "submit_filing": ("提交备案", "Submit for filing"),
    "deficiency_notice": ("一次性告知书", "One-time deficiency notice"),
    "deficiencies_found": ("项问题，请一并改正后重新提交", "deficiencies: correct them all, then submit again"),
    "documents": ("文件", "Documents"),
    "document_kind": ("文件类型", "Document kind"),
    "file": ("文件", "File"),
    "upload": ("上传", "Upload"),
    "upload_progress": ("上传进度", "Upload progress"),
    "rounds": ("办理轮次", "Rounds"),
    "project_type": ("项目类型", "Project type"),
    "tenderee_uscc": ("招标人统一社会信用代码", "Tenderee's USCC"),
    "procurement_method": ("招标方式", "Procurement method"),
    "announcement_date": ("公告日期", "Announcement date"),
    "evaluation_method": ("评标办法", "Evaluation method"),
    "committee_size": ("评标委员会人数", "Committee size"),
    "saved": ("已保存", "Saved"),
    "submitted": ("已提交，等待审核", "Submitted, awaiting the officer's decision"),
    "tender": ("招标项目", "Tender"),
    "sealed_here": (
        "投标文件在您自己的电脑上加密封装，平台在开标前无法读取。请用以下命令封装：",
        "Your bid is sealed on your own machine; the platform cannot read it before the opening. Seal it with:",
    ),
    "sealed_file": ("已封装的投标文件（.ggzy）", "Sealed bid file (.ggzy)"),
    "submit_bid": ("递交投标文件", "Submit the sealed bid"),
    "withdraw_bid": ("撤回投标", "Withdraw the bid"),
    "receipt": ("投标回执", "Receipt"),
    "download_receipt": ("下载回执", "Download the receipt"),
    "receipt_verified": ("回执签名验证通过（平台公钥）", "Receipt signature verified (platform key)"),
    "receipt_not_verified": ("回执签名验证失败", "Receipt signature does NOT verify"),
    "my_bids": ("我的投标", "My bids"),
    "confirm_record": ("确认开标记录", "Confirm the record"),
    "object_record": ("对开标记录提出异议", "Object to the record"),
    "comment": ("说明", "Comment"),
    "auction_room": ("竞价室", "Auction room"),
    "time_left": ("剩余时间", "Time left"),
    "server_time": ("服务器时间", "Server time"),
    "best_price": ("当前最低价（元）", "Best price (CNY)"),
    "your_rank": ("您的排名", "Your rank"),
    "you_are": ("您的代号", "You are"),
    "min_next_price": ("下一次报价不得高于（元）", "Your next price must be at most (CNY)"),
    "your_price": ("您的报价（元）", "Your price (CNY)"),
    "place_bid": ("报价", "Bid"),
    "standings": ("报价排名", "Standings"),
    "rank": ("名次", "Rank"),
    "competitor": ("竞价人", "Bidder"),
    "extended": ("竞价时间已延长至", "The auction was extended to"),
    "closed": ("竞价已结束", "The auction has closed"),
    "winner": ("成交人", "Winner"),
    "award_price": ("成交价（元）", "Award price (CNY)"),
    "service_requests": ("中介服务项目", "Service requests"),
    "error": ("出错了", "Something went wrong"),
    "audit_trail": ("审计记录", "Audit trail"),
    "chain_verified": ("日志验证通过", "Log verified"),
    "actions": ("操作", "Actions"),
    "time": ("时间", "Time"),
    "actor": ("操作人", "Actor"),
    "action": ("事项", "Action"),
    "leaf": ("日志序号", "Log entry"),
    "included": ("已纳入签名树", "In a signed head"),
    "pending": ("待纳入", "Pending"),
    "verified": ("验证通过", "Verified"),
    "altered": ("已被篡改", "ALTERED"),
    "log_state": ("日志验证", "Log check"),
    "head_signature_ok": ("签名有效（平台公钥）", "Signature valid (platform key)"),
    "head_signature_bad": ("签名无效", "Signature INVALID"),
    "trail_summary": (
        "本对象的每条记录均重新计算哈希，并以包含证明对照最新签名树头核验。",
        "Each entry of this object is hashed again and checked against the latest signed head by its inclusion proof.",
    ),
    "payload_hash": ("内容哈希", "Payload hash"),
    "skip_to_content": ("跳到正文", "Skip to content"),
}


def translator(lang: str) -> Callable[[str], str]:
    """`t(key)` in `lang`; an unknown key raises KeyError so a missing word fails the tests."""
    column = 1 if lang == "en" else 0

    def t(key: str) -> str:
        return MESSAGES[key][column]

    return t


def pick_language(query: str | None, cookie: str | None) -> str:
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return "zh"
