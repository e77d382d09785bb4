"""An RTSP server (GStreamer's gst-rtsp-server, Debian's ``gir1.2-gst-rtsp-server-1.0``) relaying one camera.

Run by Debian's own Python (``python3-gi``; the bindings are not on PyPI as wheels), not the project's:
``/usr/bin/python3 gst_rtsp_server.py PORT PATH SOURCE_URL [USER PASSWORD]``. It serves the H.264 of the
HTTP-FLV stream ``SOURCE_URL`` at ``rtsp://127.0.0.1:PORT/PATH`` (RTP over UDP or interleaved in the RTSP
TCP connection, as the client asks), behind HTTP Basic authentication when a user is given, as an IP
camera does.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402  (after the versions are pinned)

ROLE = "camera-user"


def factory(source_url: str) -> GstRtspServer.RTSPMediaFactory:
    """One pipeline shared by every viewer: the camera's FLV demuxed, its H.264 packed into RTP."""
    media = GstRtspServer.RTSPMediaFactory()
    media.set_launch(
        f"( souphttpsrc location={source_url} is-live=true ! flvdemux ! h264parse"
        " ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    media.set_shared(True)
    return media


def require_basic_auth(
    server: GstRtspServer.RTSPServer, media: GstRtspServer.RTSPMediaFactory, user: str, password: str
) -> None:
    """Only ``user``/``password`` may see the stream; anyone else is answered 401."""
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, ROLE)
    auth = GstRtspServer.RTSPAuth()
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role(ROLE, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    permissions.add_permission_for_role(ROLE, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    media.set_permissions(permissions)


def main(port: str, path: str, source_url: str, *credentials: str) -> None:
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    media = factory(source_url)
    if credentials:
        require_basic_auth(server, media, *credentials)
    server.get_mount_points().add_factory(f"/{path}", media)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on port {port}")
    GLib.MainLoop().run()


if __name__ == "__main__":
    main(*sys.argv[1:])
