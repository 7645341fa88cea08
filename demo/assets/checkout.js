// The provider's checkout passes Chorus's referral to its own server, which reports the enrolment.
for (const form of document.querySelectorAll("form[data-referral]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await window.chorus?.ready;
    const referral = window.chorus?.referral();
    if (referral) {
      form.elements.code.value = referral.code;
      form.elements.clickId.value = referral.clickId ?? "";
    }
    form.submit();
  });
}
