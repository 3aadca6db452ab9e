"""Every voice operation of ICE's three editions, called through Alibaba's official Python SDK
(alibabacloud-ice20201109), signed by it (V3, ACS3-HMAC-SHA256) and read back through its models.

Run by test/conformance/python-sdk.test.ts against a running emulator:
    python ice_sdk_conformance.py   (env: ICE_CONFORMANCE_ENDPOINT=127.0.0.1:<port>, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET)
Prints one JSON line per call, {"call", "ok", "problems"}, then {"summary": {"held", "total"}}. A call holds when the
SDK raised nothing unexpected and its model's from_map populated every field the emulator has data for (a field
left None means the answer's shape is not the one the SDK reads).
"""

import inspect
import json
import os
import sys
import time

from alibabacloud_ice20201109 import models as ice
from alibabacloud_ice20201109.client import Client
from alibabacloud_tea_openapi import models as openapi

ENDPOINT = os.environ["ICE_CONFORMANCE_ENDPOINT"]
client = Client(
    openapi.Config(
        access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        endpoint=ENDPOINT,
        protocol="http",
        region_id="cn-shanghai",
    )
)

results = []


def fields_of(model):
    """The fields a generated model declares: the parameters of its __init__."""
    return [name for name in inspect.signature(type(model).__init__).parameters if name != "self"]


class Call:
    def __init__(self, name):
        self.name = name
        self.problems = []

    def filled(self, model, path, absent=()):
        """Every declared field of the model is set (not None), except those the emulator has no data for."""
        if model is None:
            self.problems.append(f"{path} is None")
            return
        for field in fields_of(model):
            if field not in absent and getattr(model, field) is None:
                self.problems.append(f"{path}.{field} is None")

    def equal(self, label, actual, expected):
        if actual != expected:
            self.problems.append(f"{label}: expected {expected!r}, got {actual!r}")

    def true(self, label, condition):
        if not condition:
            self.problems.append(label)


def call(name, send, check, envelope=True):
    """One SDK call that must succeed; `check(body, c)` looks at what from_map made of the answer."""
    c = Call(name)
    try:
        response = send()
    except Exception as error:  # noqa: BLE001 - any SDK exception is a miss, reported with ICE's code
        c.problems.append(f"raised {type(error).__name__} {getattr(error, 'code', '')}: {getattr(error, 'message', error)}")
        results.append(c)
        return None
    c.equal("status_code", response.status_code, 200)
    body = response.body
    if body is None:
        c.problems.append("body is None")
    else:
        c.true("request_id is empty", bool(body.request_id))
        if envelope:
            c.equal("success", body.success, True)
        try:
            check(body, c)
        except Exception as error:  # noqa: BLE001 - a model shape the check could not walk
            c.problems.append(f"check raised {type(error).__name__}: {error}")
    results.append(c)
    return body


def refused(name, send, code, status):
    """One SDK call that ICE refuses: the SDK must raise with ICE's Code, HTTP status and RequestId."""
    c = Call(name)
    try:
        send()
        c.problems.append(f"expected {code}, the call succeeded")
    except Exception as error:  # noqa: BLE001 - the SDK's ClientException is what is checked
        c.equal("code", getattr(error, "code", None), code)
        c.equal("status_code", getattr(error, "status_code", None), status)
        c.true("request_id is empty", bool(getattr(error, "request_id", None)))
        c.true("message is empty", bool(getattr(error, "message", None)))
    results.append(c)


def wait_for_status(job_id, wanted, timeout_s=20):
    deadline = time.time() + timeout_s
    while True:
        job = client.get_customized_voice_job(ice.GetCustomizedVoiceJobRequest(job_id=job_id)).body.data
        if job.customized_voice_job.status in wanted or time.time() > deadline:
            return job.customized_voice_job.status
        time.sleep(0.05)


RUN = str(int(time.time() * 1000))[-8:]
BASIC_VOICE = f"pySdk{RUN}"
DEMO_URL = "https://your-bucket.oss-cn-shanghai.aliyuncs.com/demo.mp3"

# ---------------------------------------------------------------- Basic
created = call(
    "CreateCustomizedVoiceJob",
    lambda: client.create_customized_voice_job(
        ice.CreateCustomizedVoiceJobRequest(
            voice_id=BASIC_VOICE, gender="female", scenario="story", voice_name="声音 A&B", voice_desc="desc"
        )
    ),
    lambda body, c: (c.filled(body.data, "data"), c.equal("data.voice_id", body.data.voice_id, BASIC_VOICE)),
)
basic_job = created.data.job_id if created and created.data else ""


def check_demonstrations(body, c):
    c.filled(body.data, "data")
    items = body.data.demonstration_list
    c.equal("len(demonstration_list)", len(items), 20)
    for index, item in enumerate(items):
        c.filled(item, f"data.demonstration_list[{index}]")
    c.equal("audio_ids", [item.audio_id for item in items], list(range(1, 21)))


call(
    "GetDemonstrationForCustomizedVoiceJob",
    lambda: client.get_demonstration_for_customized_voice_job(
        ice.GetDemonstrationForCustomizedVoiceJobRequest(scenario="story")
    ),
    check_demonstrations,
)
call(
    "DetectAudioForCustomizedVoiceJob",
    lambda: client.detect_audio_for_customized_voice_job(
        ice.DetectAudioForCustomizedVoiceJobRequest(
            voice_id=BASIC_VOICE,
            audio_record_id=1,
            record_url="https://your-bucket.oss-cn-shanghai.aliyuncs.com/录音 1.wav",
        )
    ),
    lambda body, c: (c.filled(body.data, "data"), c.equal("data.pass_", body.data.pass_, True)),
)
call(
    "SubmitCustomizedVoiceJob",
    lambda: client.submit_customized_voice_job(
        ice.SubmitCustomizedVoiceJobRequest(voice_id=BASIC_VOICE, demo_audio_media_url=DEMO_URL)
    ),
    lambda body, c: (c.filled(body.data, "data"), c.equal("data.job_id", body.data.job_id, basic_job)),
)

# ---------------------------------------------------------------- Standard
standard = call(
    "SubmitStandardCustomizedVoiceJob",
    lambda: client.submit_standard_customized_voice_job(
        ice.SubmitStandardCustomizedVoiceJobRequest(
            voice_name="标准 Standard",
            gender="male",
            authentication="****571c704445f9a0ee011406c2auth",
            audios="****571c704445f9a0ee011406c2aud1,****571c704445f9a0ee011406c2aud2",
            demo_audio_media_url=DEMO_URL,
        )
    ),
    lambda body, c: c.filled(body.data, "data"),
)
standard_job = standard.data.job_id if standard and standard.data else ""

# ---------------------------------------------------------------- CosyVoice
cosy = call(
    "SubmitCosyVoiceCustomizedVoiceJob",
    lambda: client.submit_cosy_voice_customized_voice_job(
        ice.SubmitCosyVoiceCustomizedVoiceJobRequest(
            voice_name="小专 Cosy",
            gender="female",
            audios="****571c704445f9a0ee011406c2cosy",
            model="cosyvoice-v3.5-plus",
            demo_audio_media_url=DEMO_URL,
        )
    ),
    lambda body, c: (
        c.filled(body.data, "data"),
        c.true(f"data.voice_id {body.data.voice_id!r} has no '-'", "-" in (body.data.voice_id or "")),
    ),
)
cosy_job = cosy.data.job_id if cosy and cosy.data else ""
cosy_voice = cosy.data.voice_id if cosy and cosy.data else ""
# A second CosyVoice job, to be deleted while it has not trained.
doomed = call(
    "SubmitCosyVoiceCustomizedVoiceJob (to delete)",
    lambda: client.submit_cosy_voice_customized_voice_job(
        ice.SubmitCosyVoiceCustomizedVoiceJobRequest(
            voice_name="FailTrainDoomed", gender="male", audios="****cosy2", model="cosyvoice-v3-flash"
        )
    ),
    lambda body, c: c.filled(body.data, "data"),
)
doomed_job = doomed.data.job_id if doomed and doomed.data else ""

# ---------------------------------------------------------------- every edition trains and is read back
for job_id in (basic_job, standard_job, cosy_job):
    if job_id:
        wait_for_status(job_id, ("Success", "Fail"))
if doomed_job:
    wait_for_status(doomed_job, ("Success", "Fail"))


def check_job(expected_type, job_id, voice_id=None):
    def check(body, c):
        c.filled(body.data, "data")
        job = body.data.customized_voice_job
        c.filled(job, "data.customized_voice_job")
        c.equal("job_id", job.job_id, job_id)
        c.equal("type", job.type, expected_type)
        c.equal("status", job.status, "Success")
        if voice_id is not None:
            c.equal("voice_id", job.voice_id, voice_id)

    return check


call(
    "GetCustomizedVoiceJob (Basic)",
    lambda: client.get_customized_voice_job(ice.GetCustomizedVoiceJobRequest(job_id=basic_job)),
    check_job("Basic", basic_job, BASIC_VOICE),
)
standard_voice = ""


def check_standard_job(body, c):
    global standard_voice
    check_job("Standard", standard_job)(body, c)
    standard_voice = body.data.customized_voice_job.voice_id or ""
    c.true(f"voice_id {standard_voice!r} assigned by ICE", "-" in standard_voice)


call(
    "GetCustomizedVoiceJob (Standard)",
    lambda: client.get_customized_voice_job(ice.GetCustomizedVoiceJobRequest(job_id=standard_job)),
    check_standard_job,
)
call(
    "GetCustomizedVoiceJob (CosyVoice)",
    lambda: client.get_customized_voice_job(ice.GetCustomizedVoiceJobRequest(job_id=cosy_job)),
    check_job("CosyVoice", cosy_job, cosy_voice),
)


def check_job_list(expected_type, job_ids):
    def check(body, c):
        c.filled(body.data, "data")
        items = body.data.customized_voice_job_list
        for index, item in enumerate(items):
            c.filled(item, f"data.customized_voice_job_list[{index}]")
            c.equal(f"[{index}].type", item.type, expected_type)
        listed = [item.job_id for item in items]
        for job_id in job_ids:
            c.true(f"{job_id} not listed in {listed}", job_id in listed)
        c.true("total_count below the page", body.data.total_count >= len(items))

    return check


call(
    "ListCustomizedVoiceJobs (Basic)",
    lambda: client.list_customized_voice_jobs(ice.ListCustomizedVoiceJobsRequest(page_no=1, page_size=100)),
    check_job_list("Basic", [basic_job]),
)
call(
    "ListCustomizedVoiceJobs (Standard)",
    lambda: client.list_customized_voice_jobs(
        ice.ListCustomizedVoiceJobsRequest(page_no=1, page_size=100, type="Standard")
    ),
    check_job_list("Standard", [standard_job]),
)
call(
    "ListCustomizedVoiceJobs (CosyVoice)",
    lambda: client.list_customized_voice_jobs(
        ice.ListCustomizedVoiceJobsRequest(page_no=1, page_size=100, type="CosyVoice")
    ),
    check_job_list("CosyVoice", [cosy_job, doomed_job]),
)


def check_voice(voice_id, name, demo_media_id=None):
    def check(body, c):
        c.filled(body.data, "data")
        voice = body.data.customized_voice
        c.filled(voice, "data.customized_voice")
        c.equal("voice_id", voice.voice_id, voice_id)
        c.equal("voice_name", voice.voice_name, name)
        # A demo audio exists after a successful training with DemoAudioMediaURL.
        c.true("demo_audio_media_id is empty", bool(voice.demo_audio_media_id))
        if demo_media_id is not None:
            c.equal("demo_audio_media_id", voice.demo_audio_media_id, demo_media_id)

    return check


call(
    "GetCustomizedVoice (Basic)",
    lambda: client.get_customized_voice(ice.GetCustomizedVoiceRequest(voice_id=BASIC_VOICE)),
    check_voice(BASIC_VOICE, "声音 A&B"),
)
call(
    "GetCustomizedVoice (Standard)",
    lambda: client.get_customized_voice(ice.GetCustomizedVoiceRequest(voice_id=standard_voice)),
    check_voice(standard_voice, "标准 Standard"),
)
call(
    "GetCustomizedVoice (CosyVoice)",
    lambda: client.get_customized_voice(ice.GetCustomizedVoiceRequest(voice_id=cosy_voice)),
    check_voice(cosy_voice, "小专 Cosy"),
)


def check_voice_list(expected_type, voice_ids):
    def check(body, c):
        c.filled(body.data, "data")
        items = body.data.customized_voice_list
        for index, item in enumerate(items):
            c.filled(item, f"data.customized_voice_list[{index}]")
            c.equal(f"[{index}].type", item.type, expected_type)
        listed = [item.voice_id for item in items]
        for voice_id in voice_ids:
            c.true(f"{voice_id} not listed in {listed}", voice_id in listed)

    return check


call(
    "ListCustomizedVoices (Basic)",
    lambda: client.list_customized_voices(ice.ListCustomizedVoicesRequest(page_no=1, page_size=100)),
    check_voice_list("Basic", [BASIC_VOICE]),
)
call(
    "ListCustomizedVoices (Standard)",
    lambda: client.list_customized_voices(ice.ListCustomizedVoicesRequest(type="Standard", page_size=100)),
    check_voice_list("Standard", [standard_voice]),
)
call(
    "ListCustomizedVoices (CosyVoice)",
    lambda: client.list_customized_voices(ice.ListCustomizedVoicesRequest(type="CosyVoice", page_size=100)),
    check_voice_list("CosyVoice", [cosy_voice]),
)

# ---------------------------------------------------------------- the two extra operations
call(
    "UpdateCustomizedVoice",
    lambda: client.update_customized_voice(
        ice.UpdateCustomizedVoiceRequest(voice_id=cosy_voice, demo_audio_media_id="****4d5e829d498aaf966b119348****")
    ),
    lambda body, c: None,
)
call(
    "GetCustomizedVoice (after UpdateCustomizedVoice)",
    lambda: client.get_customized_voice(ice.GetCustomizedVoiceRequest(voice_id=cosy_voice)),
    check_voice(cosy_voice, "小专 Cosy", "****4d5e829d498aaf966b119348****"),
)
call(
    "DeleteCustomizedVoiceJob",
    lambda: client.delete_customized_voice_job(ice.DeleteCustomizedVoiceJobRequest(job_id=doomed_job)),
    lambda body, c: None,
)
refused(
    "GetCustomizedVoiceJob (deleted job)",
    lambda: client.get_customized_voice_job(ice.GetCustomizedVoiceJobRequest(job_id=doomed_job)),
    "JobNotFound",
    404,
)
refused(
    "DeleteCustomizedVoiceJob (job in Success)",
    lambda: client.delete_customized_voice_job(ice.DeleteCustomizedVoiceJobRequest(job_id=cosy_job)),
    "InvalidOperation.JobStatus",
    400,
)

# ---------------------------------------------------------------- the account's callback setting
CALLBACK_URL = "https://receiver.example.com/ice/callback?tenant=a&b=c+d"
call(
    "SetEventCallback",
    lambda: client.set_event_callback(
        ice.SetEventCallbackRequest(
            callback_type="HTTP",
            callback_url=CALLBACK_URL,
            event_type_list="ProduceMediaComplete,CustomizedVoiceJobComplete",
            auth_switch="on",
            auth_key="SdkConformance123",
        )
    ),
    lambda body, c: None,
)


def check_event_callback(body, c):
    c.filled(body, "body", absent=("callback_queue_name",))  # the MNS queue: none for an HTTP setting
    c.equal("callback_url", body.callback_url, CALLBACK_URL)
    c.equal("event_type_list", body.event_type_list, "ProduceMediaComplete,CustomizedVoiceJobComplete")
    c.equal("auth_key", body.auth_key, "SdkConformance123")


# GetEventCallback's answer has no Success field (docs/ice-api.md#errors).
call("GetEventCallback", lambda: client.get_event_callback(), check_event_callback, envelope=False)

held = 0
for result in results:
    ok = not result.problems
    held += ok
    print(json.dumps({"call": result.name, "ok": ok, "problems": result.problems}, ensure_ascii=False))
print(json.dumps({"summary": {"held": held, "total": len(results)}}))
sys.exit(0 if held == len(results) else 1)
