"""The top layer's public face: the coalition's public page, the "report
trafficking" guide, the resource directory, the contact form, and the
organizers' inbox of messages from the public."""
