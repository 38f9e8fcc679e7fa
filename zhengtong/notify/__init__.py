"""消息通知: how the system reaches people.

`notify()` (in `outbox`) is the door every module calls inside its change's transaction; the
`send_message` task (in `tasks`) sends each message; `sms` is the provider layer.
"""
