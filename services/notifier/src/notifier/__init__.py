"""The notifier service: tells SMEs, officers, task forces and bank admins what happened, in Chinese, by the channels
each of them chose (the portal's list always; e-mail over SMTP and SMS when asked for), once per event."""
