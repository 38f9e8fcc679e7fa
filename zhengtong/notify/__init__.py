"""消息通知: how the system reaches people. For now the SMS provider layer (`notify.sms`)."""
